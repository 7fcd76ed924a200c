// The study's architectures (docs/DEFINITIONS.md 8) as LibTorch modules. Each takes channels,
// classes and input size; sizes that depend on the input come from a dummy forward pass.

#include "models/Networks.h"

#include "common/Errors.h"
#include "common/NameMatching.h"

#include <ATen/CPUGeneratorImpl.h>

#include <functional>

namespace orderlens {

namespace nn = torch::nn;

namespace {

// Inputs up to this side get the CIFAR-style stem (3x3 convolution, no early downsampling);
// larger ones the ImageNet-style stem (7x7 stride 2 and max pooling), as torchvision does.
constexpr int kSmallInputMax = 64;

// `networks` linear layers as one batched matrix product: input (B, networks x in) with network
// k's features in columns [k x in, (k + 1) x in), output laid out the same way. Weight k and
// bias k are network k's nn::Linear weight (out x in) and bias.
struct GroupedLinearImpl : nn::Module {
    GroupedLinearImpl(int networks, int in, int out)
    {
        // Zeros until a network's weights are loaded into its group (FusedEnsemble).
        weight = register_parameter("weight", torch::zeros({networks, out, in}));
        bias = register_parameter("bias", torch::zeros({networks, out}));
    }
    torch::Tensor forward(torch::Tensor x)
    {
        const std::int64_t batch = x.size(0), networks = weight.size(0), in = weight.size(2);
        const torch::Tensor perNetwork = x.reshape({batch, networks, in}).transpose(0, 1);
        const torch::Tensor y = torch::baddbmm(bias.unsqueeze(1), perNetwork, weight.transpose(1, 2));
        return y.transpose(0, 1).reshape({batch, -1});
    }
    torch::Tensor weight, bias;
};
TORCH_MODULE(GroupedLinear);

// Dropout with one random stream per network, so that fused network k drops exactly the units
// it drops when trained alone: its mask is drawn, as nn::Dropout draws it, from a generator
// seeded as the trainer seeds the global one for that network's epoch (seedGroupDropout).
struct GroupedDropoutImpl : nn::Module {
    GroupedDropoutImpl(int networks, double p) : p(p), generators(std::size_t(networks))
    {
        for (auto& g : generators)
            g = at::detail::createCPUGenerator();
    }
    torch::Tensor forward(torch::Tensor x)
    {
        if (!is_training())
            return x;
        const std::int64_t batch = x.size(0), networks = std::int64_t(generators.size());
        std::vector<torch::Tensor> masks;
        for (auto& g : generators)
            masks.push_back(torch::empty({batch, x.size(1) / networks}).bernoulli_(1 - p, g).div_(1 - p));
        return x * torch::cat(masks, 1).to(x.device());
    }
    double p;
    std::vector<at::Generator> generators;
};
TORCH_MODULE(GroupedDropout);

// The layers of `networks` networks of one architecture stacked along the channel axis. One
// network gets LibTorch's plain layers (so its initialisation and checkpoints are those of a
// standalone network); more get grouped ones in which group k is network k: convolutions with
// groups = networks, batch norm over the concatenated channels (per channel, so per network),
// and linear layers as batched matrix products. Network k's channels and features are always
// the k-th contiguous block, so ReLU, pooling and flattening need no change.
struct Layers {
    int networks = 1;
    double eps = 1e-5;

    nn::Conv2d conv(int in, int out, int kernel, int stride = 1, int padding = 0, bool bias = true) const
    {
        return nn::Conv2d(nn::Conv2dOptions(in * networks, out * networks, kernel)
                              .stride(stride)
                              .padding(padding)
                              .bias(bias)
                              .groups(networks));
    }
    nn::BatchNorm2d batchNorm(int features) const
    {
        return nn::BatchNorm2d(nn::BatchNorm2dOptions(features * networks).eps(eps));
    }
    nn::AnyModule linear(int in, int out) const
    {
        if (networks == 1)
            return nn::AnyModule(nn::Linear(in, out));
        return nn::AnyModule(GroupedLinear(networks, in, out));
    }
    nn::AnyModule dropout(double p) const
    {
        if (networks == 1)
            return nn::AnyModule(nn::Dropout(p));
        return nn::AnyModule(GroupedDropout(networks, p));
    }
};

// Number of features a module produces for one input image and one network, found by running
// it (in eval mode, so batch norm accepts a single image).
std::int64_t featureCount(nn::Sequential& features, const ModelSpec& spec)
{
    torch::NoGradGuard noGrad;
    features->eval();
    const auto out =
        features->forward(torch::zeros({1, spec.channels * spec.networks, spec.inputSize, spec.inputSize}));
    features->train();
    return out.numel() / spec.networks;
}

// Two convolution stages, then the tutorial's 120-84-classes fully connected head: the shape
// shared by the tutorial network and LeNet-5.
struct SmallConvNetImpl : ClassifierImpl {
    SmallConvNetImpl(nn::Sequential convolutions, const ModelSpec& s, const Layers& l)
    {
        features = register_module("features", convolutions);
        const auto n = featureCount(features, s);
        classifier = register_module("classifier", nn::Sequential(l.linear(n, 120), nn::ReLU(), l.linear(120, 84),
                                                                  nn::ReLU(), l.linear(84, s.classes)));
    }
    torch::Tensor forward(torch::Tensor x) override { return classifier->forward(features->forward(x).flatten(1)); }
    nn::Sequential features{nullptr}, classifier{nullptr};
};

// The PyTorch "Training a classifier" tutorial network.
struct NetImpl : SmallConvNetImpl {
    NetImpl(const ModelSpec& s, const Layers& l)
        : SmallConvNetImpl(nn::Sequential(l.conv(s.channels, 6, 5), nn::ReLU(), nn::MaxPool2d(2), l.conv(6, 16, 5),
                                          nn::ReLU(), nn::MaxPool2d(2)),
                           s, l)
    {
    }
};

// LeNet-5 as the study trains it: batch norm after each convolution, ReLU, average pooling.
struct LeNet5Impl : SmallConvNetImpl {
    LeNet5Impl(const ModelSpec& s, const Layers& l)
        : SmallConvNetImpl(nn::Sequential(l.conv(s.channels, 6, 5), l.batchNorm(6), nn::ReLU(), nn::AvgPool2d(2),
                                          l.conv(6, 16, 5), l.batchNorm(16), nn::ReLU(), nn::AvgPool2d(2)),
                           s, l)
    {
    }
};

// VGG-16 with batch norm. Small inputs end in one linear layer (the CIFAR variant); large ones
// in torchvision's 7x7 pooling and two 4096-wide layers with dropout.
struct Vgg16Impl : ClassifierImpl {
    Vgg16Impl(const ModelSpec& s, const Layers& l)
    {
        constexpr int kPool = 0;
        const int layout[] = {64, 64, kPool, 128, 128, kPool, 256, 256, 256, kPool,
                              512, 512, 512, kPool, 512, 512, 512, kPool};
        features = nn::Sequential();
        int in = s.channels;
        for (int width : layout) {
            if (width == kPool) {
                features->push_back(nn::MaxPool2d(2));
                continue;
            }
            features->push_back(l.conv(in, width, 3, 1, 1));
            features->push_back(l.batchNorm(width));
            features->push_back(nn::ReLU());
            in = width;
        }
        register_module("features", features);
        if (s.inputSize <= kSmallInputMax) {
            classifier = nn::Sequential(l.linear(featureCount(features, s), s.classes));
        } else {
            features->push_back(nn::AdaptiveAvgPool2d(7));
            classifier = nn::Sequential(l.linear(512 * 7 * 7, 4096), nn::ReLU(), l.dropout(0.5), l.linear(4096, 4096),
                                        nn::ReLU(), l.dropout(0.5), l.linear(4096, s.classes));
        }
        register_module("classifier", classifier);
    }
    torch::Tensor forward(torch::Tensor x) override { return classifier->forward(features->forward(x).flatten(1)); }
    nn::Sequential features{nullptr}, classifier{nullptr};
};

// A ResNet block; `bottleneck` selects 1x1-3x3-1x1 with expansion 4 (stride on the 3x3).
struct ResidualBlockImpl : nn::Module {
    ResidualBlockImpl(int in, int planes, int stride, bool bottleneck, const Layers& l)
    {
        const int out = bottleneck ? planes * 4 : planes;
        if (bottleneck) {
            body = nn::Sequential(l.conv(in, planes, 1, 1, 0, false), l.batchNorm(planes), nn::ReLU(),
                                  l.conv(planes, planes, 3, stride, 1, false), l.batchNorm(planes), nn::ReLU(),
                                  l.conv(planes, out, 1, 1, 0, false), l.batchNorm(out));
        } else {
            body = nn::Sequential(l.conv(in, planes, 3, stride, 1, false), l.batchNorm(planes), nn::ReLU(),
                                  l.conv(planes, planes, 3, 1, 1, false), l.batchNorm(planes));
        }
        register_module("body", body);
        if (stride != 1 || in != out)
            shortcut = register_module("shortcut", nn::Sequential(l.conv(in, out, 1, stride, 0, false), l.batchNorm(out)));
    }
    torch::Tensor forward(torch::Tensor x)
    {
        auto identity = shortcut ? shortcut->forward(x) : x;
        return torch::relu(body->forward(x) + identity);
    }
    nn::Sequential body{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(ResidualBlock);

nn::Sequential stem(const ModelSpec& s, int width, const Layers& l)
{
    if (s.inputSize <= kSmallInputMax)
        return nn::Sequential(l.conv(s.channels, width, 3, 1, 1, false), l.batchNorm(width), nn::ReLU());
    return nn::Sequential(l.conv(s.channels, width, 7, 2, 3, false), l.batchNorm(width), nn::ReLU(),
                          nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
}

// ResNet, Wide ResNet and DenseNet end in one linear layer named "fc" after global average pooling.
struct PooledClassifierImpl : ClassifierImpl {
    torch::Tensor forward(torch::Tensor x) override { return fc.forward(features->forward(x).flatten(1)); }
    void registerHead(nn::AnyModule head)
    {
        fc = std::move(head);
        register_module("fc", fc.ptr());
    }
    nn::Sequential features{nullptr};
    nn::AnyModule fc;
};

struct ResNetImpl : PooledClassifierImpl {
    ResNetImpl(const ModelSpec& s, const Layers& l, const std::vector<int>& blocks, bool bottleneck)
    {
        features = stem(s, 64, l);
        int in = 64;
        const int widths[] = {64, 128, 256, 512};
        for (std::size_t stage = 0; stage < 4; ++stage) {
            for (int b = 0; b < blocks[stage]; ++b) {
                const int stride = (stage > 0 && b == 0) ? 2 : 1;
                features->push_back(ResidualBlock(in, widths[stage], stride, bottleneck, l));
                in = bottleneck ? widths[stage] * 4 : widths[stage];
            }
        }
        features->push_back(nn::AdaptiveAvgPool2d(1));
        register_module("features", features);
        registerHead(l.linear(in, s.classes));
    }
};

// Wide ResNet block (Zagoruyko & Komodakis 2016): pre-activation, no dropout.
struct WideBlockImpl : nn::Module {
    WideBlockImpl(int in, int out, int stride, const Layers& l)
        : bn1(register_module("bn1", l.batchNorm(in))),
          conv1(register_module("conv1", l.conv(in, out, 3, stride, 1, false))),
          bn2(register_module("bn2", l.batchNorm(out))),
          conv2(register_module("conv2", l.conv(out, out, 3, 1, 1, false)))
    {
        if (in != out || stride != 1)
            shortcut = register_module("shortcut", l.conv(in, out, 1, stride, 0, false));
    }
    torch::Tensor forward(torch::Tensor x)
    {
        auto pre = torch::relu(bn1->forward(x));
        auto out = conv2->forward(torch::relu(bn2->forward(conv1->forward(pre))));
        return out + (shortcut ? shortcut->forward(pre) : x);
    }
    nn::BatchNorm2d bn1;
    nn::Conv2d conv1;
    nn::BatchNorm2d bn2;
    nn::Conv2d conv2;
    nn::Conv2d shortcut{nullptr};
};
TORCH_MODULE(WideBlock);

struct WideResNetImpl : PooledClassifierImpl {
    WideResNetImpl(const ModelSpec& s, const Layers& l, int depth, int widen)
    {
        const int perGroup = (depth - 4) / 6;
        features = nn::Sequential(l.conv(s.channels, 16, 3, 1, 1, false));
        int in = 16;
        const int widths[] = {16 * widen, 32 * widen, 64 * widen};
        for (int g = 0; g < 3; ++g) {
            for (int b = 0; b < perGroup; ++b) {
                features->push_back(WideBlock(in, widths[g], (g > 0 && b == 0) ? 2 : 1, l));
                in = widths[g];
            }
        }
        features->push_back(l.batchNorm(in));
        features->push_back(nn::ReLU());
        features->push_back(nn::AdaptiveAvgPool2d(1));
        register_module("features", features);
        registerHead(l.linear(in, s.classes));
    }
};

// DenseNet layer: BN-ReLU-1x1 conv to 4 x growth, BN-ReLU-3x3 conv to growth, concatenated.
// Not fused: concatenating along channels would interleave the networks' blocks, so every
// layer would have to regroup its whole input.
struct DenseLayerImpl : nn::Module {
    DenseLayerImpl(int in, int growth, const Layers& l)
    {
        body = register_module("body", nn::Sequential(l.batchNorm(in), nn::ReLU(), l.conv(in, 4 * growth, 1, 1, 0, false),
                                                      l.batchNorm(4 * growth), nn::ReLU(),
                                                      l.conv(4 * growth, growth, 3, 1, 1, false)));
    }
    torch::Tensor forward(torch::Tensor x) { return torch::cat({body->forward(x), x}, 1); }
    nn::Sequential body{nullptr};
};
TORCH_MODULE(DenseLayer);

struct DenseNetImpl : PooledClassifierImpl {
    DenseNetImpl(const ModelSpec& s, const Layers& l, const std::vector<int>& blocks, int growth)
    {
        constexpr double kReduction = 0.5;  // DenseNet-BC compression
        int planes = 2 * growth;
        // The CIFAR variant's stem is a bare convolution: every dense layer starts with BN-ReLU.
        features = s.inputSize <= kSmallInputMax ? nn::Sequential(l.conv(s.channels, planes, 3, 1, 1, false))
                                                 : stem(s, planes, l);
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            for (int i = 0; i < blocks[b]; ++i) {
                features->push_back(DenseLayer(planes, growth, l));
                planes += growth;
            }
            if (b + 1 < blocks.size()) {
                const int out = int(planes * kReduction);
                features->push_back(l.batchNorm(planes));
                features->push_back(nn::ReLU());
                features->push_back(l.conv(planes, out, 1, 1, 0, false));
                features->push_back(nn::AvgPool2d(2));
                planes = out;
            }
        }
        features->push_back(l.batchNorm(planes));
        features->push_back(nn::ReLU());
        features->push_back(nn::AdaptiveAvgPool2d(1));
        register_module("features", features);
        registerHead(l.linear(planes, s.classes));
    }
};

struct Architecture {
    ArchitectureInfo info;
    std::function<Classifier(const ModelSpec&, const Layers&)> build;
};

const std::vector<Architecture>& architectures()
{
    // Minimum inputs: the tutorial CNN and LeNet-5 need two 5x5 convolutions and two poolings
    // to leave a 1x1 map (16 px); VGG-16 pools five times (32 px); the others pool three times
    // on the small-input stem (8 px).
    static const std::vector<Architecture> all = {
        {{"net", "Net", "small CNN of the PyTorch tutorial (2 conv, 3 linear)", 16, true},
         [](const ModelSpec& s, const Layers& l) { return std::make_shared<NetImpl>(s, l); }},
        {{"lenet5", "LeNet5", "LeNet-5 with batch norm, ReLU and average pooling", 16, true},
         [](const ModelSpec& s, const Layers& l) { return std::make_shared<LeNet5Impl>(s, l); }},
        {{"vgg16", "VGG16", "VGG-16 with batch norm", 32, true},
         [](const ModelSpec& s, const Layers& l) { return std::make_shared<Vgg16Impl>(s, l); }},
        {{"resnet18", "ResNet18", "ResNet-18 (basic blocks)", 8, true},
         [](const ModelSpec& s, const Layers& l) {
             return std::make_shared<ResNetImpl>(s, l, std::vector<int>{2, 2, 2, 2}, false);
         }},
        {{"resnet50", "ResNet50", "ResNet-50 (bottleneck blocks)", 8, true},
         [](const ModelSpec& s, const Layers& l) {
             return std::make_shared<ResNetImpl>(s, l, std::vector<int>{3, 4, 6, 3}, true);
         }},
        {{"wrn-28-10", "WRN-28-10", "Wide ResNet 28-10", 8, true},
         [](const ModelSpec& s, const Layers& l) { return std::make_shared<WideResNetImpl>(s, l, 28, 10); }},
        {{"densenet121", "DenseNet121", "DenseNet-121 (growth 32, compression 0.5)", 8, false},
         [](const ModelSpec& s, const Layers& l) {
             return std::make_shared<DenseNetImpl>(s, l, std::vector<int>{6, 12, 24, 16}, 32);
         }},
    };
    return all;
}

const Architecture& findArchitecture(const std::string& name)
{
    std::string known;
    for (const auto& a : architectures()) {
        if (sameName(a.info.name, name))
            return a;
        known += (known.empty() ? "" : ", ") + a.info.name;
    }
    throw ConfigError("unknown architecture '" + name + "' (known: " + known + ")");
}

}  // namespace

const std::vector<ArchitectureInfo>& architectureInfos()
{
    static const std::vector<ArchitectureInfo> infos = [] {
        std::vector<ArchitectureInfo> out;
        for (const auto& a : architectures())
            out.push_back(a.info);
        return out;
    }();
    return infos;
}

const ArchitectureInfo& architectureInfo(const std::string& name) { return findArchitecture(name).info; }

std::string canonicalArchitectureName(const std::string& name)
{
    for (const auto& a : architectures())
        if (sameName(a.info.name, name))
            return a.info.name;
    return name;
}

Classifier buildModel(const ModelSpec& spec)
{
    const Architecture& a = findArchitecture(spec.architecture);
    if (spec.channels < 1 || spec.classes < 1)
        throw ConfigError("a network needs at least one input channel and one class");
    if (spec.inputSize < a.info.minimumInput)
        throw ConfigError(spec.architecture + " needs inputs of at least " + std::to_string(a.info.minimumInput) + " x " +
                          std::to_string(a.info.minimumInput) + " pixels (got " + std::to_string(spec.inputSize) +
                          "; set --input-size)");
    if (spec.networks < 1)
        throw ConfigError("a module holds at least one network");
    if (spec.networks > 1 && !a.info.fusable)
        throw ConfigError(spec.architecture + " has no fused form (train its networks unfused)");
    return a.build(spec, Layers{spec.networks, spec.batchNormEps});
}

void seedGroupDropout(torch::nn::Module& fused, const std::vector<std::uint64_t>& seeds)
{
    // One stream per network through all its dropout layers, as the global generator is when
    // the network trains alone.
    std::vector<at::Generator> streams;
    for (std::uint64_t seed : seeds)
        streams.push_back(at::detail::createCPUGenerator(seed));
    for (auto& m : fused.modules(/*include_self=*/false)) {
        if (auto* d = m->as<GroupedDropoutImpl>()) {
            if (streams.size() != d->generators.size())
                throw std::logic_error("seedGroupDropout: one seed per network is needed");
            d->generators = streams;
        }
    }
}

void initializeWeights(torch::nn::Module& model, const std::string& scheme)
{
    torch::NoGradGuard noGrad;
    std::function<void(torch::Tensor&)> initWeight;
    if (scheme == "kaiming-normal")
        initWeight = [](torch::Tensor& w) { torch::nn::init::kaiming_normal_(w); };
    else if (scheme == "kaiming-uniform")
        initWeight = [](torch::Tensor& w) { torch::nn::init::kaiming_uniform_(w); };
    else if (scheme == "xavier-normal")
        initWeight = [](torch::Tensor& w) { torch::nn::init::xavier_normal_(w); };
    else if (scheme == "xavier-uniform")
        initWeight = [](torch::Tensor& w) { torch::nn::init::xavier_uniform_(w); };
    else
        throw ConfigError("unknown initialisation '" + scheme +
                          "' (known: kaiming-normal, kaiming-uniform, xavier-normal, xavier-uniform)");
    for (auto& m : model.modules(/*include_self=*/false)) {
        if (auto* c = m->as<nn::Conv2d>()) {
            initWeight(c->weight);
            if (c->bias.defined())
                c->bias.zero_();
        } else if (auto* l = m->as<nn::Linear>()) {
            initWeight(l->weight);
            if (l->bias.defined())
                l->bias.zero_();
        } else if (auto* b = m->as<nn::BatchNorm2d>()) {
            b->weight.fill_(1);
            b->bias.zero_();
        }
    }
}

ModelSummary summarizeModel(const ModelSpec& spec, const std::string& init, std::uint64_t seed)
{
    Classifier model = buildModel(spec);
    torch::manual_seed(seed);
    initializeWeights(*model, init);
    ModelSummary out;
    for (const auto& p : model->named_parameters()) {
        const torch::Tensor v = p.value().detach().to(torch::kFloat64);
        out.parameters += v.numel();
        out.tensors.push_back({p.key(), v.sizes().vec(), v.mean().item<double>(),
                               v.numel() > 1 ? v.std(/*unbiased=*/false).item<double>() : 0.0,
                               v.abs().max().item<double>()});
    }
    torch::NoGradGuard noGrad;
    model->eval();
    const auto logits = model->forward(torch::zeros({1, spec.channels, spec.inputSize, spec.inputSize}));
    out.outputShape = logits.sizes().vec();
    return out;
}

}  // namespace orderlens
