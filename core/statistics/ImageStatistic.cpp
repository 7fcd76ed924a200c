#include "statistics/ImageStatistic.h"

#include "common/Errors.h"
#include "statistics/Colourfulness.h"
#include "statistics/CrispEdgeStrength.h"
#include "statistics/DctCompaction.h"
#include "statistics/DistinctLuminance.h"
#include "statistics/EdgeStrength.h"
#include "statistics/LocalEntropy.h"
#include "statistics/MeanLuminance.h"
#include "statistics/PngBitsPerPixel.h"
#include "statistics/RmsContrast.h"
#include "statistics/SegmentCount.h"

namespace orderlens {

const std::vector<StatisticKind>& statisticKinds()
{
    static const std::vector<StatisticKind> kinds = {
        {"entropy", "mean local entropy of the luminance in a w x w window (--window)", {"entropy"},
         [](const StatisticParameters& p) -> std::unique_ptr<ImageStatistic> {
             return std::make_unique<LocalEntropy>(p.entropyWindow);
         }},
        {"dct", "share of DCT coefficients holding 99.98 % of the L2 norm, and the largest one",
         {"dct_percent", "dct_max"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> { return std::make_unique<DctCompaction>(); }},
        {"segments", "Felzenszwalb-Huttenlocher segment count (--sigma, --k, --min-size)", {"segment_count"},
         [](const StatisticParameters& p) -> std::unique_ptr<ImageStatistic> {
             return std::make_unique<SegmentCount>(p.segmentSigma, p.segmentK, p.segmentMinSize);
         }},
        {"sobel", "sum of the Sobel gradient magnitude of the luminance (not the study's edge strength)",
         {"sobel_edge_strength"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> { return std::make_unique<EdgeStrength>(); }},
        {"crisp", "the study's edge strength: summed crisp boundaries (Isola et al. 2014, 'speedy'; --seed, --crisp-repeats)",
         {"crisp_edge_strength", "crisp_edge_mean"},
         [](const StatisticParameters& p) -> std::unique_ptr<ImageStatistic> {
             return std::make_unique<CrispEdgeStrength>(p.crispSeed, p.crispRepeats, p.crispMapDirectory);
         }},
        {"contrast", "RMS contrast: standard deviation of Y/255", {"rms_contrast"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> { return std::make_unique<RmsContrast>(); }},
        {"luminance", "mean of Y/255", {"mean_luminance"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> { return std::make_unique<MeanLuminance>(); }},
        {"colourfulness", "Hasler-Suesstrunk colourfulness (0 for grey images)", {"colourfulness"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> { return std::make_unique<Colourfulness>(); }},
        {"png", "PNG-compressed size in bits per pixel (compressibility)", {"png_bits_per_pixel"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> { return std::make_unique<PngBitsPerPixel>(); }},
        {"distinct", "number of distinct luminance values", {"distinct_luminance"},
         [](const StatisticParameters&) -> std::unique_ptr<ImageStatistic> {
             return std::make_unique<DistinctLuminance>();
         }},
    };
    return kinds;
}

std::vector<std::unique_ptr<ImageStatistic>> createStatistics(const std::vector<std::string>& names,
                                                              const StatisticParameters& parameters)
{
    std::vector<std::unique_ptr<ImageStatistic>> out;
    for (const std::string& name : names) {
        const StatisticKind* kind = nullptr;
        for (const StatisticKind& k : statisticKinds())
            if (k.name == name)
                kind = &k;
        if (!kind) {
            std::string known;
            for (const StatisticKind& k : statisticKinds())
                known += (known.empty() ? "" : ", ") + k.name;
            throw ConfigError("unknown image statistic '" + name + "' (known: " + known + ")");
        }
        out.push_back(kind->create(parameters));
    }
    return out;
}

}  // namespace orderlens
