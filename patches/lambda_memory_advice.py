"""LAM006: say when a function's memory (and so its CPU) looks too small, or cannot deploy."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, Proposal
from autofix.model import lambdas as lam
from autofix.registry import ADVICE, Patch, PatchOptions
from autofix.view import TemplateView

DEFAULT_MEMORY = 128
STANDARD_MAX = 10240


class LambdaMemoryAdvice(Patch):
    id = "LAM006"
    name = "lambda-memory-advice"
    title = "Advise on Lambda MemorySize: CPU share and the 10,240 MB limit"
    safety = ADVICE
    resource_types = lam.FUNCTION_TYPES
    explanation = (
        "Lambda allots CPU in proportion to memory, reaching one full vCPU at 1,769 MB. A function\n"
        "with less (128 MB when MemorySize is unset) runs slower, which at high request rates means more\n"
        "concurrency and often a higher bill. Memory is a load-test decision, so this only advises.\n"
        "It also flags MemorySize above 10,240 MB, which lints clean but fails to deploy unless the\n"
        "function runs on a capacity provider (CapacityProviderConfig)."
    )

    class Options(PatchOptions):
        full_vcpu_mb: int = 1769

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        floor = self.options.full_vcpu_mb
        for rid, _ in view.of_type(*lam.FUNCTION_TYPES):
            raw = lam.effective_prop(view, rid, "MemorySize")
            memory = DEFAULT_MEMORY if raw is None else lam.literal_int(raw)
            path = ("Resources", rid, "Properties", "MemorySize")
            if memory is None:
                continue  # a parameter or condition: the author sizes it per environment
            if memory > STANDARD_MAX and lam.effective_prop(view, rid, "CapacityProviderConfig") is None:
                yield Advice(path, f"{rid}: MemorySize {memory} MB exceeds the {STANDARD_MAX} MB limit of "
                             "standard functions and fails at deploy; lower it or add CapacityProviderConfig")
            elif memory < floor:
                source = f"is unset ({DEFAULT_MEMORY} MB)" if raw is None else f"is {memory} MB"
                yield Advice(path, f"{rid}: MemorySize {source}, a fraction of a vCPU (a full vCPU "
                             f"needs {floor} MB); shorter runs need less concurrency, so load-test larger sizes")
