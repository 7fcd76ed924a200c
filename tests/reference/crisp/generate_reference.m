% Runs the authors' crisp-boundaries code (phillipi/crisp-boundaries, 'speedy' preset with the
% PMI evaluated exactly, as OrderLens does) under GNU Octave and writes the small reference files
% that tests/tst_crispboundaries.cpp compares OrderLens with. See README.md for how to run it.
%
% The images: reference_image.m.
function generate_reference(code_dir, out_dir, count, sides)
    if (nargin < 3)
        count = 100;
    end
    if (nargin < 4)
        sides = [32 64];
    end
    here = fileparts(mfilename('fullpath'));
    cd(code_dir);
    addpath(genpath(code_dir));
    pkg load image;
    addpath(fullfile(here, 'standins'));   % in front of Octave's imresize and stdfilt
    mkdir(out_dir);

    opts = setEnvironment('speedy');
    opts.approximate_PMI = false;           % OrderLens evaluates the PMI exactly
    opts.display_progress = false;

    test = reference_images();

    % Stage dumps: two 32 x 32 images (grey, colour) and one 64 x 64 image.
    stage_images = {{32, 0}, {32, 1}, {64, 0}};
    for s = 1:numel(stage_images) * isequal(sides, [32 64])
        side = stage_images{s}{1}; k = stage_images{s}{2};
        I = reference_image(test, side, k);
        seed_random(1000 + s);
        dump_stages(I, opts, fullfile(out_dir, sprintf('stage_%d_%d', side, k)));
    end

    % Summed edge strength with three seeds, and the time per image.
    fid = fopen(fullfile(out_dir, 'sums.csv'), 'w');
    fprintf(fid, 'side,index,seed_a,seed_b,seed_c\n');
    for side = sides
        t = 0;
        for k = 0:count - 1
            I = reference_image(test, side, k);
            v = zeros(1, 3);
            for r = 1:3
                seed_random(r * 7919 + k);
                tic;
                E = boundaries(I, opts);
                t = t + toc;
                v(r) = sum(E(:));
            end
            fprintf(fid, '%d,%d,%.17g,%.17g,%.17g\n', side, k, v(1), v(2), v(3));
        end
        printf('%d x %d: %.3f s per image\n', side, side, t / (3 * count));
    end
    fclose(fid);
end

function seed_random(s)
    rand('state', s);
    randn('state', s);
end

% findBoundaries and getW of the authors, one scale, kept apart so that the stages can be dumped.
function [E, Ws, f_maps, ps] = boundaries(I, opts)
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

function dump_stages(I, opts, prefix)
    [E, Ws, f_maps, ps] = boundaries(I, opts);
    names = {'color', 'var'};
    for i = 1:numel(f_maps)
        f = f_maps{i};
        write_matrix([prefix '_features_' names{i} '.csv'], reshape(permute(f, [2 1 3]), [], size(f, 3)));
        write_matrix([prefix '_centres_' names{i} '.csv'], getPoints(ps{i})');
    end
    write_matrix([prefix '_E.csv'], E);
    [ii, jj] = getLocalPairs(size(f_maps{1}(:, :, 1)));
    lin = sub2ind(size(Ws{1}), double(ii), double(jj));
    w1 = full(Ws{1}(lin)); w2 = full(Ws{2}(lin));
    % Every 8th pair: pixel indices (row-major, from 0) and the PMI of each feature set (log w).
    keep = 1:8:numel(ii);
    write_matrix([prefix '_pmi.csv'], [double(ii(keep)) - 1, double(jj(keep)) - 1, log(w1(keep)), log(w2(keep))]);
end

function write_matrix(path, m)
    fid = fopen(path, 'w');
    fmt = [repmat('%.9g,', 1, size(m, 2) - 1) '%.9g\n'];
    fprintf(fid, fmt, m');
    fclose(fid);
end
