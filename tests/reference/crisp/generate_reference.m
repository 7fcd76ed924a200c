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

    % Summed edge strength with six seeds: `count` images of each side and, since the ranking is
    % noisiest there, twice as many of 32 x 32.
    sums = fullfile(out_dir, 'sums.csv');
    if (exist(sums, 'file'))
        delete(sums);
    end
    for side = sides
        reference_sums(code_dir, sums, side, 0:count * (1 + (side == 32)) - 1, 1:6);
    end
end

function seed_random(s)
    rand('state', s);
    randn('state', s);
end

function dump_stages(I, opts, prefix)
    [E, Ws, f_maps, ps] = authors_boundaries(I, opts);
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
