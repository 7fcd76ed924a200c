% The Fashion-MNIST test images (Debian's dataset-fashion-mnist), 784 x 10000 uint8, one image
% per column in row-major pixel order.
function images = reference_images()
    tmp = [tempname() '.gz'];
    copyfile('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', tmp);
    gunzip(tmp);
    fid = fopen(tmp(1:end - 3), 'r', 'ieee-be');
    fread(fid, 4, 'uint32');
    images = fread(fid, [28 * 28, 10000], 'uint8=>uint8');
    fclose(fid);
    delete(tmp(1:end - 3));
end
