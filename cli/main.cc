#include "cli/command.h"

int main(int argc, char** argv) { return sysgate::cli::Main(argc, argv); }
