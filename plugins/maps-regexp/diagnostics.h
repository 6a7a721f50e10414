// diagnostics.h - how the table code reports problems.
//
// Postfix reports every table problem as one warning line naming the map and
// the line ("regexp map /etc/x, line 3: ..."); the module host adds the
// program name and level.  The parser and the matcher only need a place to
// put such a line, so they take this callback rather than the host struct.
#pragma once

#include <functional>
#include <string>

namespace ferry::regexp {

using WarnFn = std::function<void(const std::string &)>;

} // namespace ferry::regexp
