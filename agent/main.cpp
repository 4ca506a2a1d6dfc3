#include <iostream>

#include "mamori/agent/cli.hpp"

int main(int argc, char** argv) {
  return mamori::agent::runCli({argv, static_cast<std::size_t>(argc)},
                               mamori::agent::processEnvironment(), std::cout, std::cerr);
}
