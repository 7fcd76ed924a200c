% Image k of the reference set, the same rule as tests/support/CrispReference.cpp: Fashion-MNIST
% test image k zero-padded by 2 pixels to 32 x 32, odd k in colour (R, G, B = padded images k,
% k + 1000, k + 2000); a 64 x 64 image k is the 32 x 32 image k + 500 enlarged twice by pixel
% repetition. Always H x W x 3 uint8.
function I = reference_image(images, side, k)
    if (side == 32)
        if (mod(k, 2) == 0)
            I = repmat(padded(images, k), [1 1 3]);
        else
            I = cat(3, padded(images, k), padded(images, k + 1000), padded(images, k + 2000));
        end
    else
        small = reference_image(images, 32, k + 500);
        I = small(ceil((1:64) / 2), ceil((1:64) / 2), :);
    end
end

function I = padded(images, k)
    I = zeros(32, 32, 'uint8');
    I(3:30, 3:30) = reshape(images(:, k + 1), 28, 28)';
end
