// Package eval is the evaluation harness: suites of questions with the facts
// their answers must state, the documents they must cite, what they must not
// say and whether they must abstain or flag a conflict; metrics over a run;
// reports (console, JSON, JUnit XML, Markdown, HTML); gates that turn a run
// into a pass or a fail; record and replay of LLM traffic so CI needs no
// network; and adapters for public benchmarks (WikiQA).
//
// It evaluates any Target: the engine in-process or a ragcite server over
// HTTP. It does not own retrieval or answering (package rag).
package eval
