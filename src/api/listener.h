// Internal: how the HTTP listener takes connections, beyond what
// cpp-httplib offers as settings.
#pragma once

#include <httplib.h>

namespace wardline::api {

// httplib 0.11 listens with a backlog of 5 connections: a gateway opening
// its pool (or reconnecting it) overflows that at once, and each dropped
// connection waits for the client's SYN retransmission, one second or more.
// Raises the bound socket's backlog to the system's limit (somaxconn).
void widen_listen_backlog(httplib::Server& http);

}  // namespace wardline::api
