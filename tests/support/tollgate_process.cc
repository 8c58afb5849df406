#include "tests/support/tollgate_process.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/test_env.h"

extern char** environ;

namespace tollgate::testing {

using namespace std::chrono_literals;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string TollgateProcess::out() const { return read_file(dir + "/stdout"); }
std::string TollgateProcess::err() const { return read_file(dir + "/stderr"); }

TollgateProcess spawn_tollgate(const std::string& config_text, std::vector<std::string> extra_env,
                               std::vector<std::string> extra_args) {
  TollgateProcess p;
  p.dir = temp_dir();
  { std::ofstream(p.dir + "/config.yaml") << config_text; }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, (p.dir + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, (p.dir + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addchdir_np(&actions, p.dir.c_str());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (entry.rfind("TOLLGATE_MASTER_KEY=", 0) == 0 || entry.rfind("DATABASE_URL=", 0) == 0 ||
        entry.rfind("REDIS_URL=", 0) == 0 || entry.rfind("PORT=", 0) == 0) {
      continue;
    }
    env_strings.push_back(entry);
  }
  for (auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string binary = TOLLGATE_BINARY;
  std::string config_flag = "--config", config_path = p.dir + "/config.yaml", port_flag = "--port", port = "0";
  std::vector<char*> argv = {binary.data(), config_flag.data(), config_path.data(), port_flag.data(), port.data()};
  for (auto& arg : extra_args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  REQUIRE(posix_spawn(&p.pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  return p;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(10ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

std::uint16_t wait_for_port(const TollgateProcess& p) {
  for (int i = 0; i < 500; ++i) {
    const auto out = p.out();
    const auto at = out.find("Tollgate listening on http://127.0.0.1:");
    if (at != std::string::npos) {
      return static_cast<std::uint16_t>(std::stoi(out.substr(at + 39)));
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL("tollgate did not start: " << p.err());
  return 0;
}

}  // namespace tollgate::testing
