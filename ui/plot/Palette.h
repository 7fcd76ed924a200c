#pragma once

#include <QColor>

namespace orderlens::ui {

// Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinguishable under
// the common forms of colour blindness. Networks, splits and curves draw from this list only.
namespace okabeIto {
inline const QColor kBlack{0, 0, 0};
inline const QColor kOrange{230, 159, 0};
inline const QColor kSkyBlue{86, 180, 233};
inline const QColor kBluishGreen{0, 158, 115};
inline const QColor kYellow{240, 228, 66};
inline const QColor kBlue{0, 114, 178};
inline const QColor kVermillion{213, 94, 0};
inline const QColor kReddishPurple{204, 121, 167};
}  // namespace okabeIto

// One colour per quantity wherever it is drawn (the live monitor, the Analysis tab, Explore, the
// report): agreement, mean accuracy (its +/- std band translucent) and the lower bound.
inline const QColor kAgreementColour = okabeIto::kBlue;
inline const QColor kMeanAccuracyColour = okabeIto::kVermillion;
inline const QColor kLowerBoundColour = okabeIto::kBluishGreen;

// The colour of network n: yellow is left out (unreadable as a thin line on white), black is
// kept for aggregate curves such as agreement.
inline QColor networkColour(int n)
{
    static const QColor colours[] = {okabeIto::kBlue,       okabeIto::kOrange,  okabeIto::kBluishGreen,
                                     okabeIto::kVermillion, okabeIto::kSkyBlue, okabeIto::kReddishPurple};
    return colours[n % 6];
}

}  // namespace orderlens::ui
