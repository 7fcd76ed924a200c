% Seconds per image of the authors' crisp-boundaries code under GNU Octave, on the reference
% images (reference_image.m), for docs/PERFORMANCE.md: wall-clock (tic/toc) and CPU time of the
% process (cputime; on a shared machine the wall-clock time includes waiting for a core). Their
% 'speedy' preset with the PMI evaluated exactly (what OrderLens computes). The preset as published approximates the PMI with MATLAB's
% classregtree, which Octave does not have, so it cannot be timed here. Run it like
% generate_reference.m (README.md):
%   octave-cli --eval "addpath('tests/reference/crisp'); time_authors_code('/tmp/crisp-octave/Code', 20)"
function time_authors_code(code_dir, count)
    here = fileparts(mfilename('fullpath'));
    cd(code_dir);
    addpath(genpath(code_dir));
    pkg load image;
    addpath(here);                          % the relative path given may not hold after cd
    addpath(fullfile(here, 'standins'));
    exact = setEnvironment('speedy');
    exact.approximate_PMI = false;
    exact.display_progress = false;
    test = reference_images();
    for side = [32 64]
        t_exact = 0;
        cpu_exact = 0;
        for k = 0:count - 1
            I = reference_image(test, side, k);
            rand('state', k); randn('state', k);
            c0 = cputime();
            tic; crisp_exact(I, exact); t_exact = t_exact + toc;
            cpu_exact = cpu_exact + cputime() - c0;
        end
        printf('%d x %d: %.3f s per image wall-clock, %.3f s CPU (speedy, exact PMI)\n', side, side, ...
               t_exact / count, cpu_exact / count);
    end
end

function E = crisp_exact(I, opts)
    W = [];
    for i = 1:numel(opts.features.which_features)
        f = getFeatures(double(I) / 255, 1 + opts.scale_offset, opts.features.which_features{i}, opts);
        p = learnP_A_B(f, opts);
        Wi = buildW_pmi(f, [], p, opts);
        if (isempty(W)) W = Wi; else W = W .* Wi; end
    end
    E = getE({W}, {[size(f, 2), size(f, 1)]}, I, opts);
end
