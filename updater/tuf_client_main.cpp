#include <iostream>

#include "mamori/updater/tuf_client_cli.hpp"

int main(int argc, char** argv) {
  return mamori::updater::runTufClient({argv + 1, static_cast<std::size_t>(argc - 1)}, std::cout,
                                       std::cerr);
}
