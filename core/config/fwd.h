// fwd.h - the configuration types, declared for headers that only pass
// them by reference (a service's entry point, its helpers).
#pragma once

namespace ferry {
class Config;
namespace config {
struct MasterService;
}
} // namespace ferry
