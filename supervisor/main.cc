#include "supervisor/cli.h"

int main(int argc, char** argv) { return sysgate::CliMain(argc, argv); }
