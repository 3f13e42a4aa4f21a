#include "cli.hpp"

int main(int argc, char** argv) { return heartwave::cli::main_entry(argc, argv); }
