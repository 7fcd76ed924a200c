#pragma once

namespace orderlens {

// Named places where a crash or a full disk is most likely to damage something (a record,
// checkpoint or statistics write half done), for the kill and full-disk campaigns
// (docs/RELIABILITY.md). With ORDERLENS_CRASH_POINT=NAME:N in the environment, the N-th pass of
// this process through crashPoint(NAME) writes "orderlens: crash point NAME N reached" to
// stderr and stops the process (SIGSTOP), so that a test can SIGKILL it at exactly that moment,
// or fill its disk and let it continue (SIGCONT). Without the variable a pass costs one
// comparison.
void crashPoint(const char* name);

}  // namespace orderlens
