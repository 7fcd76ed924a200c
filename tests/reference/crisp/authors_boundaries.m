% findBoundaries and getW of the authors, one scale, kept apart so that the stages can be dumped.
function [E, Ws, f_maps, ps] = authors_boundaries(I, opts)
    I = im2uint8(I);
    if (size(I, 3) == 1)
        I = repmat(I, [1 1 3]);
    end
    scale = 1 + opts.scale_offset;
    W = [];
    for i = 1:numel(opts.features.which_features)
        f_maps{i} = getFeatures(double(I) / 255, scale, opts.features.which_features{i}, opts);
        ps{i} = learnP_A_B(f_maps{i}, opts);
        Ws{i} = buildW_pmi(f_maps{i}, [], ps{i}, opts);
        if (i == 1)
            W = Ws{i};
        else
            W = W .* Ws{i};
        end
    end
    im_size = [size(f_maps{1}, 2), size(f_maps{1}, 1)];
    E = getE({W}, {im_size}, I, opts);
end
