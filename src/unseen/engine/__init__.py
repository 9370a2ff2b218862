"""The flows: one photo (``image``), one video (``video``), one file (``file``: checks, dispatch,
atomic output, report), and the run over many files: on this machine (``local``) or over a Ray
cluster (``cluster``, imported only for ``--engine ray``).

Imports point down from here: engine -> detect, track, mask, media, inspect -> regions, kinds.
Nothing in the engine imports the command line or the review page.
"""
