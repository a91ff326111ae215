"""链融 portal:

The pages people use, Chinese first, served by the project itself with no outside network: scripts, styles
and the charts are all local. The portal holds no data; it forwards each call to the service that owns it.
"""
