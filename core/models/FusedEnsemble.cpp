#include "models/FusedEnsemble.h"

#include "common/Errors.h"
#include "models/Networks.h"

#include <stdexcept>

namespace orderlens {

namespace {

// Network k's part of a fused tensor shaped like `single`: index k of a leading network axis
// (batched linear layers), a block of rows (grouped convolutions, batch norm), or the whole
// tensor for scalars (batch norm's count of batches, the same for every network).
torch::Tensor groupOf(const torch::Tensor& fused, const torch::Tensor& single, int k)
{
    torch::Tensor part;
    if (single.dim() == 0)
        part = fused;
    else if (fused.dim() == single.dim() + 1)
        part = fused[k];
    else
        part = fused.narrow(0, k * single.size(0), single.size(0));
    if (part.sizes() != single.sizes())
        throw std::logic_error("fused tensor does not match the network's tensor");
    return part;
}

// Tensors of the same name in the fused module and in one network, in registration order.
std::vector<std::pair<torch::Tensor, torch::Tensor>> pairedTensors(torch::nn::Module& fused,
                                                                   torch::nn::Module& network)
{
    std::vector<std::pair<torch::Tensor, torch::Tensor>> out;
    const auto single = network.named_parameters();
    for (const auto& p : fused.named_parameters())
        out.emplace_back(p.value(), single[p.key()]);
    const auto singleBuffers = network.named_buffers();
    for (const auto& b : fused.named_buffers())
        out.emplace_back(b.value(), singleBuffers[b.key()]);
    return out;
}

// LibTorch's optimisers key their per-parameter state by the parameter's implementation.
std::string stateKey(const torch::Tensor& parameter) { return c10::guts::to_string(parameter.unsafeGetTensorImpl()); }

// The tensors an optimiser keeps per parameter, each shaped like the parameter (undefined ones
// included: Adam's max_exp_avg_sq without amsgrad).
std::vector<torch::Tensor*> stateTensors(torch::optim::OptimizerParamState& state)
{
    if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(&state))
        return {&sgd->momentum_buffer()};
    if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(&state))
        return {&adam->exp_avg(), &adam->exp_avg_sq(), &adam->max_exp_avg_sq()};
    throw ConfigError("fused training supports the SGD and Adam optimisers only");
}

std::int64_t adamStep(const torch::optim::OptimizerParamState& state)
{
    const auto* adam = dynamic_cast<const torch::optim::AdamParamState*>(&state);
    return adam ? adam->step() : 0;
}

}  // namespace

FusedEnsemble::FusedEnsemble(ModelSpec spec, const std::vector<EnsembleMember>& members, const torch::Device& device)
    : networks_(int(members.size()))
{
    spec.networks = networks_;
    module_ = buildModel(spec);
    module_->to(device);
    load(members);
}

void FusedEnsemble::load(const std::vector<EnsembleMember>& members, torch::optim::Optimizer* fused)
{
    if (int(members.size()) != networks_)
        throw std::logic_error("FusedEnsemble::load: one member per network is needed");
    torch::NoGradGuard noGrad;
    std::vector<std::vector<std::pair<torch::Tensor, torch::Tensor>>> pairs;
    for (int k = 0; k < networks_; ++k) {
        pairs.push_back(pairedTensors(*module_, *members[std::size_t(k)].model));
        for (auto& [whole, single] : pairs.back())
            groupOf(whole, single, k).copy_(single);
    }
    if (!fused)
        return;
    auto& fusedState = fused->state();
    const auto parameters = module_->parameters();
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const torch::Tensor& whole = parameters[i];
        fusedState.erase(stateKey(whole));
        // A network that has not stepped yet has no state; they all step together, so either
        // every member has state for this parameter or none has.
        std::vector<torch::optim::OptimizerParamState*> states;
        for (int k = 0; k < networks_; ++k) {
            auto& own = members[std::size_t(k)].optimizer->state();
            const auto found = own.find(stateKey(pairs[std::size_t(k)][i].second));
            if (found != own.end())
                states.push_back(found->second.get());
        }
        if (states.empty())
            continue;
        if (int(states.size()) != networks_)
            throw std::logic_error("FusedEnsemble::load: the networks' optimisers have not made the same steps");
        auto combined = states.front()->clone();
        const auto targets = stateTensors(*combined);
        for (std::size_t t = 0; t < targets.size(); ++t) {
            if (!targets[t]->defined())
                continue;
            *targets[t] = torch::zeros_like(whole);
            for (int k = 0; k < networks_; ++k) {
                if (adamStep(*states[std::size_t(k)]) != adamStep(*combined))
                    throw std::logic_error("FusedEnsemble::load: the networks' Adam step counts differ");
                groupOf(*targets[t], pairs[std::size_t(k)][i].second, k).copy_(*stateTensors(*states[std::size_t(k)])[t]);
            }
        }
        fusedState[stateKey(whole)] = std::move(combined);
    }
}

void FusedEnsemble::store(const std::vector<EnsembleMember>& members, const torch::optim::Optimizer& fused) const
{
    if (int(members.size()) != networks_)
        throw std::logic_error("FusedEnsemble::store: one member per network is needed");
    torch::NoGradGuard noGrad;
    const auto parameters = module_->parameters();
    for (int k = 0; k < networks_; ++k) {
        const EnsembleMember& m = members[std::size_t(k)];
        const auto pairs = pairedTensors(*module_, *m.model);
        for (const auto& [whole, single] : pairs)
            single.copy_(groupOf(whole, single, k));
        auto& state = m.optimizer->state();
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            const torch::Tensor& single = pairs[i].second;
            state.erase(stateKey(single));
            const auto found = fused.state().find(stateKey(parameters[i]));
            if (found == fused.state().end())
                continue;
            auto own = found->second->clone();
            for (torch::Tensor* t : stateTensors(*own))
                if (t->defined())
                    *t = groupOf(*t, single, k).clone();
            state[stateKey(single)] = std::move(own);
        }
    }
}

namespace {

// On the CPU, oneDNN's grouped convolutions of a few channels per group run about twice as fast
// on channels-last (NHWC) float32 inputs as on the default NCHW layout (docs/PERFORMANCE.md,
// "Fused training"); the layout follows the input through batch norm, ReLU and pooling and
// changes no value beyond float32 rounding order. Other dtypes (tests' float64) keep NCHW, in
// which the fused kernels reproduce the separate networks bit for bit.
torch::Tensor fusedLayout(const torch::Tensor& x)
{
    const bool channelsLast = x.device().is_cpu() && x.dim() == 4 && x.scalar_type() == torch::kFloat32;
    return channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

}  // namespace

torch::Tensor FusedEnsemble::stackInputs(const std::vector<torch::Tensor>& batches)
{
    return fusedLayout(torch::cat(batches, 1));
}

torch::Tensor FusedEnsemble::repeatInput(const torch::Tensor& batch) const
{
    return fusedLayout(batch.repeat({1, networks_, 1, 1}));
}

torch::Tensor FusedEnsemble::networkLogits(const torch::Tensor& fusedLogits, int k) const
{
    const std::int64_t classes = fusedLogits.size(1) / networks_;
    return fusedLogits.narrow(1, k * classes, classes);
}

void FusedEnsemble::seedDropout(const std::vector<std::uint64_t>& seeds) { seedGroupDropout(*module_, seeds); }

}  // namespace orderlens
