// Prints README's table of brokered calls from the table itself
// (supervisor/engine/brokered_calls.h): `bazel run
// //tools:brokered_calls_table`. supervisor/engine:brokered_calls_test fails
// until README holds it.
#include "absl/strings/str_format.h"
#include "supervisor/engine/brokered_calls.h"

int main() {
  absl::PrintF("%s", sysgate::BrokeredCallsMarkdown());
  return 0;
}
