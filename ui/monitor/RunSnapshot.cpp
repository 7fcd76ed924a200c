#include "monitor/RunSnapshot.h"

#include <algorithm>

namespace orderlens::ui {

namespace {

std::optional<AgreementCurve> agreementOf(const RunFollower& f, RecordSet set, const std::vector<int>& networks,
                                          int epochs)
{
    if (networks.empty() || epochs <= 0 || !f.run().hasRecordSet(set))
        return std::nullopt;
    const std::size_t images = f.run().manifest().splitIndices(recordSetSplit(set)).size();
    CorrectnessBits bits(images, int(networks.size()), epochs, 0);
    for (std::size_t k = 0; k < networks.size(); ++k)
        for (int e = 0; e < epochs; ++e)
            bits.setRowFromBytes(int(k), e, f.correctBits(set, networks[k], e));
    AgreementCurve curve = computeAgreement(bits);
    curve.set = set;
    curve.networks = networks;
    return curve;
}

}  // namespace

int RunSnapshot::completeEpochs() const
{
    if (epochsDone.empty())
        return 0;
    return *std::min_element(epochsDone.begin(), epochsDone.end());
}

bool RunSnapshot::trainedElsewhere() const { return writerLive && !writer.isThisProcess(); }

RunSnapshot RunSnapshot::read(const QString& path)
{
    try {
        RunFollower follower(path.toStdString());
        return read(follower);
    } catch (const std::exception& e) {
        RunSnapshot s;
        s.path = path;
        s.error = QString::fromStdString(e.what());
        return s;
    }
}

RunSnapshot RunSnapshot::read(RunFollower& follower)
{
    RunSnapshot s;
    s.path = QString::fromStdString(follower.run().path());
    try {
        follower.poll();
        const RunFile& run = follower.run();
        s.configJson = run.configJson();
        s.shape = run.shape();
        s.epochsDone = follower.epochsRead();
        s.writer = follower.writer();
        s.writerLive = s.writer.live();
        s.summaries.resize(s.epochsDone.size());
        std::vector<int> started;
        int common = -1;
        for (std::size_t n = 0; n < s.epochsDone.size(); ++n) {
            for (int e = 0; e < s.epochsDone[n]; ++e)
                s.summaries[n].push_back(follower.summary(int(n), e));
            if (s.epochsDone[n] > 0) {
                started.push_back(int(n));
                common = common < 0 ? s.epochsDone[n] : std::min(common, s.epochsDone[n]);
            }
        }
        s.train = agreementOf(follower, RecordSet::Train, started, common);
        s.test = agreementOf(follower, RecordSet::Test, started, common);
    } catch (const std::exception& e) {
        s.error = QString::fromStdString(e.what());
    }
    return s;
}

}  // namespace orderlens::ui
