"""Session-state keys that more than one module (or a test) reads or writes, spelled once.

Keys that one module keeps to itself stay in that module. Some of these are also widget keys bound to the URL
(`bind="query-params"`), so their text is part of shared links and must not change.
"""

MODEL = "model"  # the sidebar's model select; also ?model=
LOADED_MODEL = "loaded_model"  # the LoadedModel the sidebar loaded for this run
SEED = "seed"  # the sidebar's seed; also ?seed=
PRESENTER = "presenter"  # the sidebar's presenter toggle; also ?presenter=
DIGIT = "digit"  # the current common.Digit
DIGIT_KIND = "digit_kind"  # what the sidebar's 0-9 buttons give: a real test digit or the class-mean code
INTERP_ENDPOINT = "interp_endpoint_{}"  # .format("A" or "B"): a (784,) picture the Upload page offers Interpolate
# The manifold's spacing settings; the latent map draws its axes over the same z-range.
MANIFOLD_SPACING, MANIFOLD_EPS, MANIFOLD_ZMAX = "manifold_spacing", "manifold_eps", "manifold_zmax"
