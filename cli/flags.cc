#include "cli/flags.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sysgate::cli {
namespace {

const FlagSpec* Find(absl::Span<const FlagSpec> specs, absl::string_view name) {
  for (const FlagSpec& s : specs) {
    if (s.name == name || (!s.alias.empty() && s.alias == name)) return &s;
  }
  return nullptr;
}

}  // namespace

std::string ParsedFlags::Value(absl::string_view name,
                               absl::string_view fallback) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::string(fallback) : it->second.back();
}

std::vector<std::string> ParsedFlags::Values(absl::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       absl::Span<const FlagSpec> specs,
                                       bool program_follows) {
  ParsedFlags out;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (!absl::StartsWith(a, "-") || a == "-") {
      if (program_follows) break;
      out.rest_.push_back(a);
      continue;
    }
    if (a == "--help" || a == "-h") {
      out.help_ = true;
      continue;
    }
    size_t eq = a.find('=');
    std::string name = a.substr(0, eq);
    const FlagSpec* spec = Find(specs, name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option '", a, "'"));
    }
    std::vector<std::string>& values = out.values_[std::string(spec->name)];
    if (spec->kind == FlagSpec::Kind::kSwitch) {
      if (eq != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("option '", name, "' takes no value"));
      }
      values.push_back("");
      continue;
    }
    if (eq == std::string::npos && i + 1 >= args.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("option '", name, "' needs a value"));
    }
    values.push_back(eq == std::string::npos ? args[++i] : a.substr(eq + 1));
  }
  out.rest_.insert(out.rest_.end(), args.begin() + i, args.end());
  return out;
}

}  // namespace sysgate::cli
