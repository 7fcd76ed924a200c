% Stand-in for MATLAB's makecform, only the 'srgb2lab' transform the authors' getFeatures uses.
function c = makecform(type)
    if (!strcmp(type, 'srgb2lab'))
        error('makecform stand-in: only srgb2lab');
    end
    c.type = type;
end
