% Stand-in for MATLAB's applycform(im, makecform('srgb2lab')) on doubles in [0, 1]: the ICC
% conversion MATLAB does, i.e. sRGB decoded with the sRGB curve, to XYZ with the D50-adapted
% (Bradford) sRGB matrix, then CIELAB relative to the D50 white (0.9642, 1, 0.8251). OrderLens
% implements the same numbers in core/statistics/CrispFeatures.cpp.
function lab = applycform(im, c)
    v = double(im);
    lin = v / 12.92;
    hi = v > 0.04045;
    lin(hi) = ((v(hi) + 0.055) / 1.055) .^ 2.4;
    M = [0.4360747 0.3850649 0.1430804; 0.2225045 0.7168786 0.0606169; 0.0139322 0.0971045 0.7141733];
    white = [0.9642 1 0.8251];
    r = lin(:, :, 1); g = lin(:, :, 2); b = lin(:, :, 3);
    f = cell(1, 3);
    for k = 1:3
        t = (M(k, 1) * r + M(k, 2) * g + M(k, 3) * b) / white(k);
        ft = t .^ (1 / 3);
        low = t <= 0.008856;
        ft(low) = 7.787 * t(low) + 16 / 116;
        f{k} = ft;
    end
    lab = cat(3, 116 * f{2} - 16, 500 * (f{1} - f{2}), 200 * (f{2} - f{3}));
end
