// One factory per log format; make_log_parser() picks among them.
#pragma once

#include <memory>

#include "intel/intel.h"

namespace wardline::intel {

std::unique_ptr<LogParser> make_zeek_parser();
std::unique_ptr<LogParser> make_squid_parser();
std::unique_ptr<LogParser> make_eve_parser();
std::unique_ptr<LogParser> make_cef_parser();
std::unique_ptr<LogParser> make_ecs_parser();

}  // namespace wardline::intel
