% The authors' spectralPb_fast_custom calls seg2bdry_wt (not in their repository) for a thinned
% map that it then overwrites; its value never reaches E. This stand-in returns zeros of the size
% the caller expects.
function b = seg2bdry_wt(vec, mode)
    b = zeros(2 * size(vec, 1) + 1, 2 * size(vec, 2) + 1);
end
