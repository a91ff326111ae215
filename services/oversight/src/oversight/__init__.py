"""链融 oversight service:

The PBOC Dongguan branch's view (中国人民银行东莞市分行): aggregate flows of the mechanism, never a firm's detail.
"""
