// The CodeMirror 6 pieces histkg's SPARQL editor (service/web/static/editor.js) uses, bundled into one file
// that defines window.HistkgCodeMirror. The editor logic stays in editor.js, readable and unbundled.
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion, pickedCompletion } from "@codemirror/autocomplete";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

window.HistkgCodeMirror = {
  EditorState, Prec,
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  defaultKeymap, history, historyKeymap,
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion, pickedCompletion,
  setDiagnostics, lintGutter,
  sparql: StreamLanguage.define(sparql),
};
