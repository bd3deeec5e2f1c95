// SPDX-License-Identifier: BSD-2-Clause
// metrics_server.h: serves Metrics::render() over HTTP at /metrics with libmicrohttpd, on the address of
// the metrics setting (127.0.0.1 unless another is given). GET and HEAD of /metrics answer 200 in the
// Prometheus text format; any other path 404, any other method 405. The server runs one thread of its
// own, started before the privilege drop and the milter; it never touches the mail path.
// Thread safety: start and stop from one thread; the handler only reads Metrics.
#pragma once

#include <memory>

#include "http_endpoint.h"
#include "metrics.h"
#include "rewrite/error.h"

struct MHD_Daemon;

namespace rewrite::milter {

class MetricsServer {
 public:
  MetricsServer() = default;
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Listens on endpoint and serves metrics, which must outlive the server. Returns the error when the
  // address cannot be bound.
  Error start(const HttpEndpoint& endpoint, const Metrics& metrics);
  // Stops serving (also done by the destructor).
  void stop();

 private:
  MHD_Daemon* daemon_ = nullptr;
};

}  // namespace rewrite::milter
