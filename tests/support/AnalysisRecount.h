#pragma once

// Recounts an analysis from the run's stored records with plain loops, independently of
// core/analysis: end-to-end tests then check exact numbers instead of ranges.

#include "analysis/RunAnalysis.h"
#include "storage/RunFile.h"

namespace orderlens::test {

// For every analysed split and epoch: |A(e)|, |U(e)|, the agreement 100 |A| / max(|U|, 1), each
// metric's mean over A(e) (missing values ignored; 0 when A(e) is empty) and, for distinct-valued
// metrics, the percentage of each value's images in A(e). Fails the current test on a mismatch.
void expectAnalysisMatchesRecords(const RunFile& run, const RunAnalysis& analysis);

}  // namespace orderlens::test
