// conf.cpp - placeholder until the command lands; says so plainly.
#include "cmd/commands.h"
#include "log/msg.h"

namespace ferry::cmd {
int conf_main(int, char **) {
    msg::fatal("this command is not implemented yet in this build of Ferry");
}
} // namespace ferry::cmd
