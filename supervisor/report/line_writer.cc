#include "supervisor/report/line_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "arch/procfs.h"

namespace sysgate {

LineWriter& LineWriter::operator=(LineWriter&& other) {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

LineWriter::~LineWriter() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<LineWriter> LineWriter::OwnDescriptionOf(int fd) {
  int own = OpenOwnDescription(fd);
  if (own < 0 && errno == EBADF) return LineWriter();  // Closed: nowhere.
  if (own < 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot reopen fd ", fd));
  return LineWriter(own);
}

absl::StatusOr<LineWriter> LineWriter::OpenLog(const std::string& path) {
  int fd = open(path.c_str(),
                O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("cannot open log '", path, "'"));
  return LineWriter(fd);
}

absl::Status LineWriter::WriteLine(absl::string_view line) const {
  if (fd_ < 0) return absl::OkStatus();
  std::string text = absl::StrCat(line, "\n");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd_, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd writable = {fd_, POLLOUT, 0};
      if (poll(&writable, 1, -1) < 0 && errno != EINTR)
        return absl::ErrnoToStatus(errno, "poll of a report stream");
      continue;
    }
    return absl::ErrnoToStatus(n < 0 ? errno : EIO, "report stream");
  }
  return absl::OkStatus();
}

}  // namespace sysgate
