#include "api/listener.h"

#include <sys/socket.h>

namespace wardline::api {
namespace {

// The listening socket is a protected member of httplib::Server; a
// pointer-to-member taken in a derived class reads it from any server.
struct ListeningSocket : httplib::Server {
  static socket_t of(const httplib::Server& http) { return (http.*(&ListeningSocket::svr_sock_)).load(); }
};

}  // namespace

void widen_listen_backlog(httplib::Server& http) {
  socket_t s = ListeningSocket::of(http);
  // listen() on a listening socket only updates its backlog; on failure the
  // old backlog stays, which works, only slower under bursts.
  if (s != INVALID_SOCKET) (void)::listen(s, SOMAXCONN);
}

}  // namespace wardline::api
