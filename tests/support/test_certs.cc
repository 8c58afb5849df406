#include "tests/support/test_certs.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <stdexcept>
#include <vector>

#include "tests/support/test_env.h"

extern char** environ;

namespace tollgate::testing {
namespace {

// Runs `openssl args...` with its output appended to `log`; throws when it fails.
void openssl(const std::string& log, std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int failed = posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed) throw std::runtime_error("cannot start openssl");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("openssl " + args[1] + " failed: see " + log);
  }
}

// A new EC P-256 key, unencrypted, signed with SHA-256, valid for two days.
std::vector<std::string> with_new_key(std::vector<std::string> args, const std::string& key,
                                      const std::string& subject) {
  for (const char* a : {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-sha256"}) args.push_back(a);
  for (const auto& a : {std::string("-keyout"), key, std::string("-subj"), "/CN=" + subject}) args.push_back(a);
  return args;
}

}  // namespace

TestCa::TestCa(const std::string& name)
    : dir_(temp_dir()), certificate_(dir_ + "/" + name + ".pem"), key_(dir_ + "/" + name + "-key.pem") {
  openssl(dir_ + "/openssl.log", with_new_key({"req", "-x509", "-days", "2", "-out", certificate_}, key_, name));
}

CertFiles TestCa::issue(const std::string& name) const {
  const auto log = dir_ + "/openssl.log";
  const auto request = dir_ + "/" + name + ".csr";
  CertFiles files{dir_ + "/" + name + ".pem", dir_ + "/" + name + "-key.pem", certificate_};
  openssl(log, with_new_key({"req", "-out", request}, files.key, name));
  openssl(log, {"x509", "-req", "-in", request, "-CA", certificate_, "-CAkey", key_, "-CAcreateserial", "-days", "2",
                "-sha256", "-out", files.certificate});
  return files;
}

const TestCa& process_test_ca() {
  static const TestCa ca("process-ca");
  return ca;
}

std::string cluster_transport_yaml(const CertFiles& files, const std::string& listen) {
  return "  listen: \"" + listen + "\"\n  tls:\n    certificate: \"" + files.certificate + "\"\n    key: \"" +
         files.key + "\"\n    ca: \"" + files.ca + "\"\n";
}

}  // namespace tollgate::testing
