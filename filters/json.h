// A small JSON reader that keeps each value's source location, so errors
// in OCI seccomp profiles read "FILE:LINE:COL: error: ..." like policy
// errors do. Numbers keep their text (64-bit values must not pass through
// a double).
#ifndef SYSGATE_FILTERS_JSON_H_
#define SYSGATE_FILTERS_JSON_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "filters/policy.h"

namespace sysgate {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the literal.
  std::vector<JsonValue> items;                            // kArray.
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, in order.
  SourceLocation loc;

  const JsonValue* Get(
      absl::string_view key) const;  // Objects; null if absent.
  // kNumber as an integer; false if it is not one (or out of range).
  bool AsInt64(int64_t* out) const;
  bool AsUint64(uint64_t* out) const;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    const std::string& file);

std::string JsonQuote(absl::string_view s);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_JSON_H_
