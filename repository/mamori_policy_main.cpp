#include <chrono>
#include <cstdlib>
#include <iostream>

#include "mamori/repository/policy_tool.hpp"

int main(int argc, char** argv) {
  const char* lang = std::getenv("LANG");
  const mamori::repository::ToolEnvironment env{
      lang != nullptr ? lang : "",
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
  return mamori::repository::runPolicyTool({argv + 1, static_cast<std::size_t>(argc - 1)}, env,
                                           std::cout, std::cerr);
}
