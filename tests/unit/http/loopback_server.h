// LoopbackServer: a minimal HTTP/1.1 server on 127.0.0.1 (a free port, keep-alive, one thread per
// connection) answering from a handler, for tests of the real libcurl transport and of what goes
// over the wire (which headers reached which server). Records every request it read.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/strings.h"

namespace mg::testing {

struct ServedRequest {
  std::string method;
  std::string target;                          // as sent: path and query
  std::map<std::string, std::string> headers;  // lower-case names; a repeated header: the last one
  std::string body;

  // The value of header `name` (any case), or "".
  std::string Header(const std::string& name) const {
    auto it = headers.find(AsciiLower(name));
    return it == headers.end() ? "" : it->second;
  }
};

struct ServedReply {
  int status = 200;
  std::string headers;  // "Name: value\r\n" lines; Content-Length is added
  std::string body;     // not sent in answer to HEAD (its length still is)
  bool stall = false;   // never answer: hold the connection until the server stops
};

class LoopbackServer {
 public:
  // `handler` is called on the connection threads, one request at a time per connection.
  explicit LoopbackServer(std::function<ServedReply(const ServedRequest&)> handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listen_fd_, 16);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    close(listen_fd_);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int connections() const { return connections_.load(); }
  int stalled() const { return stalled_.load(); }
  std::vector<ServedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  static ServedRequest ParseHead(const std::string& head) {
    ServedRequest r;
    const size_t line_end = std::min(head.find("\r\n"), head.size());
    const std::string line = head.substr(0, line_end);
    r.method = line.substr(0, line.find(' '));
    const size_t target = r.method.size() + 1;
    r.target = line.substr(target, line.find(' ', target) - target);
    for (size_t at = line_end; at < head.size();) {
      at += 2;
      size_t end = std::min(head.find("\r\n", at), head.size());
      const std::string field = head.substr(at, end - at);
      if (size_t colon = field.find(':'); colon != std::string::npos) {
        size_t value = field.find_first_not_of(' ', colon + 1);
        r.headers[AsciiLower(field.substr(0, colon))] = value == std::string::npos ? "" : field.substr(value);
      }
      at = end;
    }
    return r;
  }

  void Serve(int fd) {
    std::string buf;
    while (!stop_) {
      size_t end = buf.find("\r\n\r\n");
      if (end == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char tmp[4096];
        ssize_t n = read(fd, tmp, sizeof(tmp));
        if (n <= 0) break;
        buf.append(tmp, static_cast<size_t>(n));
        continue;
      }
      ServedRequest request = ParseHead(buf.substr(0, end));
      const std::string length = request.Header("content-length");
      const size_t body_len = length.empty() ? 0 : std::stoul(length);
      while (buf.size() < end + 4 + body_len) {
        char tmp[4096];
        ssize_t n = read(fd, tmp, sizeof(tmp));
        if (n <= 0) return (void)close(fd);
        buf.append(tmp, static_cast<size_t>(n));
      }
      request.body = buf.substr(end + 4, body_len);
      buf.erase(0, end + 4 + body_len);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      const ServedReply reply = handler_(request);
      if (reply.stall) {
        ++stalled_;
        while (!stop_) {
          pollfd p{fd, POLLIN, 0};
          if (poll(&p, 1, 50) > 0) {
            char tmp[256];
            if (read(fd, tmp, sizeof(tmp)) <= 0) break;
          }
        }
        break;
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n" + reply.headers +
                        "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
      if (request.method != "HEAD") out += reply.body;
      if (write(fd, out.data(), out.size()) < 0) break;
    }
    close(fd);
  }

  const std::function<ServedReply(const ServedRequest&)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> stalled_{0};
  mutable std::mutex mu_;
  std::vector<ServedRequest> requests_;  // GUARDED_BY(mu_)
  std::thread acceptor_;
  std::vector<std::thread> workers_;  // GUARDED_BY(mu_) while the acceptor runs
};

}  // namespace mg::testing
