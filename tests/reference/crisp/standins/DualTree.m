% Octave cannot hand an old-style class object (the KDE toolbox's @kde) to a MEX file as
% MATLAB does; this wrapper, copied into the toolbox's private folder by
% prepare_authors_code.sh, passes the objects' fields instead to the compiled DualTree.
function p = DualTree(dens, varargin)
    for i = 1:numel(varargin)
        if (isobject(varargin{i}))
            varargin{i} = struct(varargin{i});
        end
    end
    p = DualTree_mex(struct(dens), varargin{:});
end
