% Stand-in for MATLAB's imresize(im, scale) with its defaults (bicubic, antialiasing when
% shrinking), which Octave's imresize does not reproduce: per dimension (rows first), output
% size ceil(scale * n), output pixel x sampled at u = x / scale + (1 - 1 / scale) / 2, the cubic
% kernel (a = -0.5) stretched by 1 / scale when shrinking, weights normalised to sum 1, indices
% beyond the border mirrored (edge pixel repeated).
function out = imresize(im, scale)
    out = double(im);
    for dim = 1:2
        out = resize_dimension(out, dim, scale);
    end
end

function out = resize_dimension(im, dim, scale)
    n = size(im, dim);
    m = ceil(n * scale);
    x = (1:m)';
    u = x / scale + 0.5 * (1 - 1 / scale);
    width = 4;
    if (scale < 1)
        width = width / scale;
        h = @(t) scale * cubic(scale * t);
    else
        h = @cubic;
    end
    left = floor(u - width / 2);
    P = ceil(width) + 2;
    idx = repmat(left, 1, P) + repmat(0:P - 1, m, 1);
    w = h(repmat(u, 1, P) - idx);
    w = w ./ repmat(sum(w, 2), 1, P);
    aux = [1:n, n:-1:1];
    idx = aux(mod(idx - 1, numel(aux)) + 1);
    if (dim == 2)
        im = permute(im, [2 1 3]);
    end
    out = zeros(m, size(im, 2), size(im, 3));
    for c = 1:size(im, 3)
        plane = im(:, :, c);
        acc = zeros(m, size(im, 2));
        for k = 1:P
            acc = acc + repmat(w(:, k), 1, size(im, 2)) .* plane(idx(:, k), :);
        end
        out(:, :, c) = acc;
    end
    if (dim == 2)
        out = permute(out, [2 1 3]);
    end
end

function f = cubic(x)
    a = abs(x);
    f = (1.5 * a .^ 3 - 2.5 * a .^ 2 + 1) .* (a <= 1) + ...
        (-0.5 * a .^ 3 + 2.5 * a .^ 2 - 4 * a + 2) .* ((1 < a) & (a <= 2));
end
