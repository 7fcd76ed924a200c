% Stand-in for MATLAB's princomp (removed from Octave): scores of the centred data on the
% principal axes, with MATLAB's sign rule (the largest-magnitude element of each coefficient
% vector is positive).
function [coeff, score, latent] = princomp(x)
    [n, p] = size(x);
    x0 = x - repmat(mean(x, 1), n, 1);
    [U, sigma, coeff] = svd(x0, 0);
    s = diag(sigma);
    score = U .* repmat(s', n, 1);
    [~, maxind] = max(abs(coeff), [], 1);
    colsign = sign(coeff(maxind + (0:p:(p - 1) * p)));
    colsign(colsign == 0) = 1;
    coeff = coeff .* repmat(colsign, p, 1);
    score = score .* repmat(colsign, n, 1);
    latent = s .^ 2 / max(n - 1, 1);
end
