% Stand-in for MATLAB's stdfilt(im, nhood) on every channel of an H x W x C array: the sample
% standard deviation (divide by n - 1) of the n pixels under nhood, borders mirrored with the
% edge pixel repeated ('symmetric'). Two passes (mean, then squared deviations) so a flat window
% gives exactly 0, as in OrderLens.
function out = stdfilt(im, nhood)
    nhood = logical(nhood);
    r = floor(size(nhood) / 2);
    n = nnz(nhood);
    [H, W, C] = size(im);
    [dy, dx] = find(nhood);
    dy = dy - r(1) - 1; dx = dx - r(2) - 1;
    rows = mirror((1 - r(1)):(H + r(1)), H);
    cols = mirror((1 - r(2)):(W + r(2)), W);
    out = zeros(H, W, C);
    for c = 1:C
        p = im(rows, cols, c);
        s = zeros(H, W);
        for k = 1:n
            s = s + p((1:H) + r(1) + dy(k), (1:W) + r(2) + dx(k));
        end
        mu = s / n;
        q = zeros(H, W);
        for k = 1:n
            d = p((1:H) + r(1) + dy(k), (1:W) + r(2) + dx(k)) - mu;
            q = q + d .^ 2;
        end
        out(:, :, c) = sqrt(q / (n - 1));
    end
end

function i = mirror(i, n)
    period = 2 * n;
    i = mod(i - 1, period);
    i(i >= n) = period - 1 - i(i >= n);
    i = i + 1;
end
