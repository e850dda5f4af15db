// xvsadm: `xvsadm --watch [--format text|json]`, xvs.ko's config-change
// events printed one line each as they happen.  The line formats are
// documented in xvsadm(8); fields are only ever added at the end.
#pragma once

#include <string>
#include <vector>

#include "xvs/events.hpp"

namespace xvsadm::watch {

// The text line of an event, ending with a newline.
std::string render_text(const xvs::Event &ev);

// Runs the watch command line; returns the exit status.
int main(const std::vector<std::string> &args);

} // namespace xvsadm::watch
