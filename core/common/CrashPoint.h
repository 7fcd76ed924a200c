#pragma once

namespace orderlens {

// Named places where a crash is most likely to damage something (a record, checkpoint or
// statistics write half done), for the kill campaign (docs/RELIABILITY.md). With
// ORDERLENS_CRASH_POINT=NAME:N in the environment, the N-th pass of this process through
// crashPoint(NAME) writes "orderlens: crash point NAME N reached" to stderr and then waits
// there until the process is killed, so a test can SIGKILL it at exactly that moment. Without
// the variable a pass costs one comparison.
void crashPoint(const char* name);

}  // namespace orderlens
