// Running one stage command: /bin/sh -c in a process group of its own,
// signals passed on, nothing of it left running afterwards.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iterator>
#include <thread>

#include "heartwave/core/error.hpp"
#include "heartwave/pipeline/repro.hpp"

namespace heartwave::pipeline {

namespace {

volatile std::sig_atomic_t g_received = 0;

extern "C" void note_signal(int sig) { g_received = sig; }

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

// While a command runs, SIGINT/SIGTERM/SIGHUP are noted (and passed to the
// command's group) instead of ending this process at once.
class SignalsNoted {
 public:
  SignalsNoted() {
    g_received = 0;
    struct sigaction sa {};
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < std::size(kForwarded); ++i) sigaction(kForwarded[i], &sa, &old_[i]);
  }
  ~SignalsNoted() {
    for (std::size_t i = 0; i < std::size(kForwarded); ++i) sigaction(kForwarded[i], &old_[i], nullptr);
  }
  SignalsNoted(const SignalsNoted&) = delete;
  SignalsNoted& operator=(const SignalsNoted&) = delete;

 private:
  struct sigaction old_[std::size(kForwarded)] {};
};

[[noreturn]] void child_fail(const char* what) {
  const char* why = std::strerror(errno);
  (void)!::write(2, "heartwave: ", 11);
  (void)!::write(2, what, std::strlen(what));
  (void)!::write(2, ": ", 2);
  (void)!::write(2, why, std::strlen(why));
  (void)!::write(2, "\n", 1);
  ::_exit(127);
}

}  // namespace

CommandResult run_command(const std::string& cmd, const std::filesystem::path& cwd) {
  const std::string dir = cwd.string();
  const pid_t parent = ::getpid();
  SignalsNoted noted;
  const pid_t pid = ::fork();
  if (pid < 0) throw IoError("cannot start '" + cmd + "': fork failed: " + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig : kForwarded) ::sigaction(sig, &dfl, nullptr);
    ::sigaction(SIGPIPE, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Killed with this process (its forking thread), whatever ends it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (::chdir(dir.c_str()) != 0) child_fail("cannot enter the pipeline's folder");
    const int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) {
      ::dup2(in, 0);
      if (in != 0) ::close(in);
    }
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    child_fail("cannot run /bin/sh");
  }
  ::setpgid(pid, pid);  // also here, so the group exists before any signal is passed to it

  CommandResult r;
  using clock = std::chrono::steady_clock;
  clock::time_point forwarded_at{};
  bool killed = false;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    // Wait without reaping: while the shell is a zombie its group id cannot be reused.
    siginfo_t info{};
    const int w = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (w == 0 && info.si_pid == pid) break;
    if (w < 0 && errno != EINTR) throw IoError("waiting for '" + cmd + "': " + std::strerror(errno));
    if (g_received && !r.interrupted) {
      r.interrupted = g_received;
      ::kill(-pid, g_received);
      forwarded_at = clock::now();
    }
    if (r.interrupted && !killed && clock::now() - forwarded_at > std::chrono::seconds(10)) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);  // what the command left running in its group
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.exit_code = -1;
    r.signal = WTERMSIG(status);
  }
  if (!r.interrupted && g_received) r.interrupted = g_received;
  return r;
}

}  // namespace heartwave::pipeline
