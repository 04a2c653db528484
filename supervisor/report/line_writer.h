// Where report lines go: a descriptor of sysgate's own (stderr's own file
// description, the --log file), written whole or not at all.
#ifndef SYSGATE_SUPERVISOR_REPORT_LINE_WRITER_H_
#define SYSGATE_SUPERVISOR_REPORT_LINE_WRITER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sysgate {

class LineWriter {
 public:
  // Takes `fd`; -1 writes nowhere.
  explicit LineWriter(int fd = -1) : fd_(fd) {}
  LineWriter(LineWriter&& other) : fd_(other.fd_) { other.fd_ = -1; }
  LineWriter& operator=(LineWriter&& other);
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;
  ~LineWriter();

  // A writer on a description of our own of what `fd` (stderr) refers to
  // (arch/procfs.h OpenOwnDescription): the program's fcntl on the one it
  // shares cannot make our writes fail.
  static absl::StatusOr<LineWriter> OwnDescriptionOf(int fd);
  // The --log file: created or truncated, and opened O_APPEND, so that
  // every line goes at its end even if the program, through a grant that
  // covers the file, truncates or writes it.
  static absl::StatusOr<LineWriter> OpenLog(const std::string& path);

  bool active() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // `line` and a newline, whole: short writes continued, EINTR retried,
  // EAGAIN (a description still shared with the program, such as a socket,
  // made non-blocking by it) waited out with poll. A line is never
  // dropped; this fails only when nothing can take it (EPIPE, EIO, ENOSPC).
  absl::Status WriteLine(absl::string_view line) const;

 private:
  int fd_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_REPORT_LINE_WRITER_H_
