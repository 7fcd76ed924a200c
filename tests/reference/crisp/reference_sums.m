% The summed boundary map E of the authors' code (see generate_reference.m) on the reference images
% k in `indices` (reference_image.m) of each side in `sides`, one column per seed number r in
% `seeds` (the random state set to r * 7919 + k before image k, so a value does not depend on which
% other seeds or images ran). Appends rows (side, index, one value per seed) to out_file, with a
% header when the file is new, and prints the seconds per image.
%   octave-cli --eval "addpath('tests/reference/crisp'); reference_sums('/tmp/crisp-octave/Code', '/tmp/sums.csv', 32, 0:199, 1:6)"
function reference_sums(code_dir, out_file, sides, indices, seeds)
    here = fileparts(mfilename('fullpath'));
    cd(code_dir);
    addpath(genpath(code_dir));
    pkg load image;
    addpath(here);                          % the relative path given may not hold after cd
    addpath(fullfile(here, 'standins'));   % in front of Octave's imresize and stdfilt
    opts = setEnvironment('speedy');
    opts.approximate_PMI = false;           % OrderLens evaluates the PMI exactly
    opts.display_progress = false;
    test = reference_images();

    fresh = ~exist(out_file, 'file');
    fid = fopen(out_file, 'a');
    if (fresh)
        fprintf(fid, 'side,index%s\n', sprintf(',seed_%d', seeds));
    end
    for side = sides
        t = 0;
        for k = indices
            I = reference_image(test, side, k);
            v = zeros(1, numel(seeds));
            for r = 1:numel(seeds)
                rand('state', seeds(r) * 7919 + k);
                randn('state', seeds(r) * 7919 + k);
                tic;
                E = authors_boundaries(I, opts);
                t = t + toc;
                v(r) = sum(E(:));
            end
            fprintf(fid, '%d,%d%s\n', side, k, sprintf(',%.17g', v));
            fflush(fid);
        end
        printf('%d x %d: %.3f s per image\n', side, side, t / (numel(seeds) * numel(indices)));
    end
    fclose(fid);
end
