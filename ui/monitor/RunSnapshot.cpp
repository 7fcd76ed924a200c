#include "monitor/RunSnapshot.h"

#include <algorithm>

namespace orderlens::ui {

int RunSnapshot::completeEpochs() const
{
    if (epochsDone.empty())
        return 0;
    return *std::min_element(epochsDone.begin(), epochsDone.end());
}

RunSnapshot RunSnapshot::read(const QString& path)
{
    RunSnapshot s;
    s.path = path;
    try {
        const RunFile run(path.toStdString());
        s.configJson = run.configJson();
        s.shape = run.shape();
        s.epochsDone = run.epochsDone();
        s.summaries.resize(s.epochsDone.size());
        RecordSelection selection;
        int common = -1;
        for (std::size_t n = 0; n < s.epochsDone.size(); ++n) {
            for (int e = 0; e < s.epochsDone[n]; ++e)
                s.summaries[n].push_back(run.readSummary(int(n), e));
            if (s.epochsDone[n] > 0) {
                selection.networks.push_back(int(n));
                common = common < 0 ? s.epochsDone[n] : std::min(common, s.epochsDone[n]);
            }
        }
        if (!selection.networks.empty()) {
            selection.firstEpoch = 0;
            selection.endEpoch = common;
            selection.set = RecordSet::Train;
            s.train = computeAgreement(run, selection);
            if (run.hasRecordSet(RecordSet::Test)) {
                selection.set = RecordSet::Test;
                s.test = computeAgreement(run, selection);
            }
        }
    } catch (const std::exception& e) {
        s.error = QString::fromStdString(e.what());
    }
    return s;
}

}  // namespace orderlens::ui
