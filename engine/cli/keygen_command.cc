#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "cli/attest_commands.h"
#include "sign/keys.h"

namespace mg {
namespace {

// Reads a line from the terminal with echo off; nullopt when there is no terminal.
std::optional<std::string> PromptHidden(const char* prompt) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return std::nullopt;
  const int fd = ::fileno(tty);
  termios old {};
  if (::tcgetattr(fd, &old) != 0) {
    std::fclose(tty);
    return std::nullopt;
  }
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  std::fputs(prompt, tty);
  std::fflush(tty);
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  std::string line;
  for (int c = std::fgetc(tty); c != EOF && c != '\n'; c = std::fgetc(tty)) line.push_back(static_cast<char>(c));
  ::tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  std::fclose(tty);
  return line;
}

void Wipe(std::string* s) {
  volatile char* p = s->data();
  for (size_t i = 0; i < s->size(); ++i) p[i] = 0;
  s->clear();
}

}  // namespace

int KeygenCommand(const CliOptions& options) {
  const std::string key_path = options.output_key_prefix + ".key";
  const std::string pub_path = options.output_key_prefix + ".pub";
  std::string passphrase;
  if (const char* env = std::getenv("COSIGN_PASSWORD"); env != nullptr) {
    passphrase = env;
  } else {
    std::optional<std::string> first = PromptHidden("Enter password for private key: ");
    if (!first) {
      std::cerr << "mirrorgraph keygen: no passphrase: set COSIGN_PASSWORD (it may be empty, but then anyone who "
                   "can read "
                << key_path << " can sign) or run it on a terminal to be asked\n";
      return kExitUsage;
    }
    std::optional<std::string> again = PromptHidden("Enter password for private key again: ");
    if (!again || *again != *first) {
      if (again) Wipe(&*again);
      Wipe(&*first);
      std::cerr << "mirrorgraph keygen: the passphrases differ; nothing was written\n";
      return kExitUsage;
    }
    Wipe(&*again);
    passphrase = std::move(*first);
  }
  Status s = GenerateKeyPair(key_path, pub_path, passphrase);
  Wipe(&passphrase);
  if (!s.ok()) {
    std::cerr << "mirrorgraph keygen: " << s.message() << "\n";
    return s.code() == Status::Code::kFailedPrecondition || s.code() == Status::Code::kInvalidArgument
               ? kExitUsage
               : kExitTaskFailed;
  }
  auto pub = LoadPublicKeyFile(pub_path);
  std::cout << "Private key written to " << key_path << "\nPublic key written to " << pub_path;
  if (pub.ok()) std::cout << " (" << pub->Fingerprint() << ")";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace mg
