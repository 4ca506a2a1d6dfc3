#include <iostream>

#include "mamori/collector/cli.hpp"

int main(int argc, char** argv) {
  return mamori::collector::runCollectorCli({argv, static_cast<std::size_t>(argc)}, std::cout,
                                            std::cerr);
}
